// Explorer script: __ID__ is replaced by the explorer's element id when the HTML is assembled.
(function(){
var uid="__ID__",root=document.getElementById(uid);
if(!root||root.getAttribute("data-ready"))return;root.setAttribute("data-ready","1");
function $(s){return document.getElementById(uid+"-"+s);}
var D=JSON.parse($("data").textContent),cv=$("canvas"),ctx=cv.getContext("2d");
var sample=$("sample"),opacity=$("opacity"),choice=$("choice"),boxes=$("box"),text=$("text");
var S=D.scale,H=D.h,W=D.w,gh=D.gh,gw=D.gw,img=new Image(),ready=false;
function color(v){var n=D.lut.length-1,x=Math.max(0,Math.min(1,v))*n,i=Math.min(Math.floor(x),n-1),f=x-i,a=D.lut[i],b=D.lut[i+1];
return "rgb("+[0,1,2].map(function(c){return Math.round(a[c]+(b[c]-a[c])*f);}).join(",")+")";}
function draw(){
var k=+sample.value,c=choice?+choice.value:0,op=(+opacity.value)/100,w=D.weights[c][k];
$("sample-out").textContent=(k+1)+" / "+D.n;$("opacity-out").textContent=op.toFixed(2);
sample.setAttribute("aria-valuetext","canvas "+(k+1)+" of "+D.n);
opacity.setAttribute("aria-valuetext","opacity "+op.toFixed(2));
var m=0,p=0;for(var i=0;i<w.length;i++){if(w[i]>m){m=w[i];p=i;}}
var ch=H*S/gh,cw=W*S/gw,pr=Math.floor(p/gw),pc=p%gw;
ctx.imageSmoothingEnabled=false;ctx.globalAlpha=1;ctx.clearRect(0,0,cv.width,cv.height);
if(ready){ctx.drawImage(img,(k%D.cols)*W,Math.floor(k/D.cols)*H,W,H,0,0,W*S,H*S);}
ctx.globalAlpha=op;
for(i=0;i<w.length;i++){ctx.fillStyle=color(w[i]/(m||1e-12));ctx.fillRect((i%gw)*cw,Math.floor(i/gw)*ch,cw,ch);}
ctx.globalAlpha=1;
var b=D.boxes?D.boxes[k]:null,inside=null,cy=(pr+0.5)*H/gh,cx=(pc+0.5)*W/gw;
if(b&&(!boxes||boxes.checked)){ctx.strokeStyle="#00ff00";ctx.lineWidth=2;ctx.strokeRect(b[1]*S,b[0]*S,(b[3]-b[1])*S,(b[2]-b[0])*S);}
if(b){inside=cy>=b[0]&&cy<b[2]&&cx>=b[1]&&cx<b[3];}
var x=(pc+0.5)*cw,y=(pr+0.5)*ch,r=Math.max(6,Math.min(cw,ch)/3);
ctx.strokeStyle="#00ffff";ctx.lineWidth=3;ctx.beginPath();ctx.moveTo(x-r,y);ctx.lineTo(x+r,y);ctx.moveTo(x,y-r);ctx.lineTo(x,y+r);ctx.stroke();
var t="Canvas "+(k+1)+" of "+D.n+" (index "+D.index[k]+")";
if(D.choices){t+=", "+D.choices[c];}
if(D.labels){t+=": true "+D.labels[k];}
if(D.preds){t+=(D.labels?", ":": ")+"predicted "+D.preds[k];}
t+=". Peak weight "+m.toFixed(3)+" in row "+(pr+1)+", column "+(pc+1)+" of the "+gh+"\u00d7"+gw+" grid";
if(inside!==null){t+=inside?", inside the digit box.":", outside the digit box.";}else{t+=".";}
text.textContent=t;cv.setAttribute("aria-label",t);}
[sample,opacity,choice,boxes].forEach(function(el){if(el){el.addEventListener("input",draw);el.addEventListener("change",draw);}});
function step(d){sample.value=Math.max(0,Math.min(D.n-1,(+sample.value)+d));draw();}
$("prev").addEventListener("click",function(){step(-1);});$("next").addEventListener("click",function(){step(1);});
img.onload=function(){ready=true;draw();};img.src=D.sprite;draw();
})();
