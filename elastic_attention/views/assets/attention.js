// Explorer script: __ID__ is replaced by the explorer's element id when the HTML is assembled.
(function(){
var uid="__ID__",root=document.getElementById(uid);
if(!root||root.getAttribute("data-ready"))return;root.setAttribute("data-ready","1");
function $(s){return document.getElementById(uid+"-"+s);}
var D=JSON.parse($("data").textContent),cv=$("canvas"),ctx=cv.getContext("2d");
var sample=$("sample"),opacity=$("opacity"),choice=$("choice"),boxes=$("box"),filter=$("filter"),text=$("text");
var S=D.scale,H=D.h,W=D.w,gh=D.gh,gw=D.gw,img=new Image(),ready=false;
function color(v){var n=D.lut.length-1,x=Math.max(0,Math.min(1,v))*n,i=Math.min(Math.floor(x),n-1),f=x-i,a=D.lut[i],b=D.lut[i+1];
return "rgb("+[0,1,2].map(function(c){return Math.round(a[c]+(b[c]-a[c])*f);}).join(",")+")";}
function peak(w){var m=0,p=0;for(var i=0;i<w.length;i++){if(w[i]>m){m=w[i];p=i;}}return [m,p];}
function inBox(k,c){var b=D.boxes?D.boxes[k]:null;if(!b)return null;var p=peak(D.weights[c][k])[1],
cy=(Math.floor(p/gw)+0.5)*H/gh,cx=(p%gw+0.5)*W/gw;return cy>=b[0]&&cy<b[2]&&cx>=b[1]&&cx<b[3];}
// The canvases the filter keeps, as indices into the embedded samples (misses follow the map shown).
var list=[];
function refilter(){var f=filter?filter.value:"all",c=choice?+choice.value:0,cur=list[+sample.value];list=[];
for(var k=0;k<D.n;k++){if(f==="all"||(f==="miss"&&inBox(k,c)===false)||(f==="wrong"&&D.labels[k]!==D.preds[k])){list.push(k);}}
sample.max=Math.max(0,list.length-1);var at=list.indexOf(cur);sample.value=at<0?0:at;}
function draw(){
var c=choice?+choice.value:0,op=(+opacity.value)/100;
$("opacity-out").textContent=op.toFixed(2);
if(!list.length){ctx.clearRect(0,0,cv.width,cv.height);$("sample-out").textContent="0 / 0";
text.textContent="No canvas among the "+D.n+" embedded here matches this filter.";return;}
var pos=+sample.value,k=list[pos],w=D.weights[c][k];
$("sample-out").textContent=(pos+1)+" / "+list.length;
sample.setAttribute("aria-valuetext","canvas "+(pos+1)+" of "+list.length);
opacity.setAttribute("aria-valuetext","opacity "+op.toFixed(2));
var pk=peak(w),m=pk[0],p=pk[1],i;
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
var t="Canvas "+(pos+1)+" of "+list.length+" shown (test index "+D.index[k]+")";
if(D.choices){t+=", "+D.choices[c];}
if(D.labels){t+=": true "+D.labels[k];}
if(D.preds){t+=(D.labels?", ":": ")+"predicted "+D.preds[k];}
t+=". Peak weight "+m.toFixed(3)+" in row "+(pr+1)+", column "+(pc+1)+" of the "+gh+"\u00d7"+gw+" grid";
if(inside!==null){t+=inside?", inside the digit box.":", outside the digit box.";}else{t+=".";}
text.textContent=t;cv.setAttribute("aria-label",t);}
[sample,opacity,boxes].forEach(function(el){if(el){el.addEventListener("input",draw);el.addEventListener("change",draw);}});
[filter,choice].forEach(function(el){if(el){el.addEventListener("change",function(){refilter();draw();});}});
function step(d){sample.value=Math.max(0,Math.min(list.length-1,(+sample.value)+d));draw();}
$("prev").addEventListener("click",function(){step(-1);});$("next").addEventListener("click",function(){step(1);});
refilter();img.onload=function(){ready=true;draw();};img.src=D.sprite;draw();
})();
