// Explorer script: __ID__ is replaced by the explorer's element id when the HTML is assembled.
(function(){
var uid="__ID__",root=document.getElementById(uid);
if(!root||root.getAttribute("data-ready"))return;root.setAttribute("data-ready","1");
function $(s){return document.getElementById(uid+"-"+s);}
var D=JSON.parse($("data").textContent),cv=$("canvas"),ctx=cv.getContext("2d"),n=D.scores.length;
var temp=$("temp"),text=$("text"),sl=[];for(var i=0;i<n;i++){sl.push($("s"+i));}
function softmax(s,T){var m=Math.max.apply(null,s),e=s.map(function(v){return Math.exp((v-m)/T);}),z=e.reduce(function(a,b){return a+b;},0);return e.map(function(v){return v/z;});}
function jnorm(a,T){var q=0;for(var i=0;i<n;i++){for(var j=0;j<n;j++){var v=(i===j?a[i]:0)-a[i]*a[j];q+=v*v;}}return Math.sqrt(q)/T;}
function fmt(v){return Math.abs(v)>=0.01||v===0?v.toFixed(3):v.toExponential(1);}
function bars(x0,vals,top,title,color){var w=190,h=170,y0=30,bw=w/n;
ctx.fillStyle="#222";ctx.font="13px sans-serif";ctx.textAlign="left";ctx.fillText(title,x0,18);
ctx.strokeStyle="#999";ctx.lineWidth=1;ctx.beginPath();ctx.moveTo(x0,y0+h);ctx.lineTo(x0+w,y0+h);ctx.moveTo(x0,y0);ctx.lineTo(x0,y0+h);ctx.stroke();
ctx.textAlign="right";ctx.fillText(fmt(top),x0-4,y0+10);ctx.fillText("0",x0-4,y0+h);
for(var i=0;i<n;i++){var bh=h*Math.min(1,vals[i]/top);ctx.fillStyle=color;ctx.fillRect(x0+i*bw+bw*0.15,y0+h-bh,bw*0.7,bh);
ctx.fillStyle="#222";ctx.textAlign="center";ctx.fillText("s"+i,x0+i*bw+bw/2,y0+h+16);}}
function draw(){
var lt=+temp.value,T=Math.pow(10,lt),s=sl.map(function(e){return +e.value;});
$("temp-out").textContent=T<1?T.toPrecision(2):T.toFixed(T<10?2:1);temp.setAttribute("aria-valuetext","temperature "+T.toPrecision(3));
for(var i=0;i<n;i++){$("s"+i+"-out").textContent=s[i].toFixed(1);}
var a=softmax(s,T),g=a.map(function(v){return v*(1-v)/T;}),J=jnorm(a,T);
var grid=[],gmax=0,jmax=0;for(var x=D.lo;x<=D.hi+1e-9;x+=0.05){var TT=Math.pow(10,x),aa=softmax(s,TT),jj=jnorm(aa,TT);
grid.push([x,jj]);jmax=Math.max(jmax,jj);aa.forEach(function(v){gmax=Math.max(gmax,v*(1-v)/TT);});}
ctx.clearRect(0,0,cv.width,cv.height);ctx.fillStyle="#fff";ctx.fillRect(0,0,cv.width,cv.height);
bars(40,a,1,"weights a_i","#1f77b4");bars(285,g,gmax,"\u2202a_i/\u2202s_i = a_i(1\u2212a_i)/\u03c4","#ff7f0e");
var x0=520,w=150,h=170,y0=30;ctx.fillStyle="#222";ctx.textAlign="left";ctx.fillText("Jacobian norm vs \u03c4 (log)",x0,18);
ctx.strokeStyle="#999";ctx.beginPath();ctx.moveTo(x0,y0+h);ctx.lineTo(x0+w,y0+h);ctx.stroke();
ctx.strokeStyle="#ff7f0e";ctx.lineWidth=2;ctx.beginPath();grid.forEach(function(p,i){var X=x0+w*(p[0]-D.lo)/(D.hi-D.lo),Y=y0+h-h*p[1]/(jmax||1);if(i){ctx.lineTo(X,Y);}else{ctx.moveTo(X,Y);}});ctx.stroke();
var X=x0+w*(lt-D.lo)/(D.hi-D.lo),Y=y0+h-h*J/(jmax||1);ctx.fillStyle="#d62728";ctx.beginPath();ctx.arc(X,Y,5,0,2*Math.PI);ctx.fill();
ctx.fillStyle="#222";ctx.textAlign="center";ctx.fillText(String(Math.pow(10,D.lo)),x0,y0+h+16);ctx.fillText(String(Math.pow(10,D.hi)),x0+w,y0+h+16);
var am=Math.max.apply(null,a);
var t="Temperature "+T.toPrecision(3)+": largest weight "+am.toFixed(3)+", Jacobian norm "+fmt(J)+" (its peak over the slider's range: "+fmt(jmax)+").";
text.textContent=t;cv.setAttribute("aria-label","Bar charts of the weights and their sensitivities. "+t);
var rows="";for(i=0;i<n;i++){rows+="<tr><th scope=\"row\">s"+i+" = "+s[i].toFixed(1)+"</th><td>"+a[i].toFixed(3)+"</td><td>"+fmt(g[i])+"</td></tr>";}
$("rows").innerHTML=rows;}
[temp].concat(sl).forEach(function(e){e.addEventListener("input",draw);e.addEventListener("change",draw);});
draw();
})();
